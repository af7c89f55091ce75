"""The words Arabizi intake knows, each with the ways Gulf clients spell it in Latin letters (arabizi.py reads
with them)."""

# One concept a line: its Arabic (|the form with the article, where it is not ال + the word; a number is the
# hour it names), then its spellings. Spellings differing only in vowels or doubled letters need not be
# listed (see _key); '+' joins the words of a phrase; '~' marks a spelling that is also an English word, a
# name or another language's word: converted inside Arabizi when written in lower case, never evidence.
# Where intake's Arabic lists lack a dialect word, the line gives the word they have (sawwa8 → سائق).
LEXICON_TEXT = """
ابي: abi aby abee
نبي: nabi nbi naby nabee
ابغى: abgha abghi ab8a ba3'et bghet bghit b8et
نبغى: nabgha nbgha nabghi
اريد: areed arid ureed oreed
نريد: nureed nreed
احتاج: a7taj ahtaj a7tag e7taj
نحتاج: ni7taj n7taj ne7taj nahtaj
بدي: bdi biddi beddi
بدنا: bidna badna bedna
ودي: wdi widdi weddi
لو سمحت: law+sama7t lo+sma7t law+sma7t lw+sm7t law+samaht lau+sama7t law+sama7ti lw+sm7ti
من فضلك: min+fadlak min+fadlik mn+fadlk min+fa9lak min+fadhlak men+fadlak mn+fdlk
ممكن: mumkin momken mumken mmkn mumkn momkn
تقدر: tigdar tgdar t8dar tqdar
احجز: a7jez a7jiz a7jz ahjez e7jez
احجزلي: a7jezli a7jizli a7jzly a7jezly
تحجز: ta7jez t7jz ti7jiz
تحجزلي: ta7jezli ta7jizli t7jzli ti7jizli
نحجز: ne7jez n7jz ni7jiz
حجز: 7ajz 7ajez 7agz hajz 7jz
سياره: sayara sayyara syara sayarah
سيارات: sayarat syarat
تسلمون: tslmoon tislamoon tslmon tislamon
وصلنا: wsalna wasalna w9alna wa9alna
مترجم: mutarjim mtarjim mutarjem mtrjm
على: 3al 3ala 3la
اكل: akel akl akil
غيروه: 8ayroh ghayroh 8ayrooh ghayrooh
غيرها: 8ayreha ghayreha
صارت: 9arat 9aarat sarat
عند: 3nd 3ind 3end
توديني: twadini twaddini tewadini twadeeni
كان: ~kan kaan
حلو: 7lw 7elw 7ilo 7lo
حلاق: 7alla8 7allaq 7alag 7allag 7laq
سائق: sawwa8 sawag sawaq sayeg sa2eq sa2ig saye8 sa2e8 sawa8
تاكسي: taksi teksi
ليموزين: limozin lemozeen limozeen
وديني: wadeni waddini waddeeni
يوديني: ywadeeni ywadini ywaddini yiwaddini
يودينا: ywadeena ywadina ywaddina yiwaddina
ودينا: wadeena waddina waddeena
خذني: khathni 5athni khedni 5edni 5idni khudni 5dni
وصلني: wasselni wa9elni wa9alni wasalni wa9lni wasilni
توصيل: tawseel taw9eel to9eel
توصيله: tawseela taw9eela
مطار: ma6ar matar m6ar
بكره: bukra bokra bkra bukrah bachir bacher baacher bachr
بعد بكره: 3gub+bachir 3ugb+bachir 3gob+bacher 3ugub+bachir 3gub+bukra 3gb+bachir 3gb+bukra 3gb+bacher
يوم: yom youm yoom yawm
يومين: yomain yomein yomeen
ليله: lela leela ~leila ~laila ~layla ~lila
ليل: lail layl leil
ليلا: lailan lelan
حين: 7een 7in heen 7ein hin
حالا: 7alan halan
الان: alaan al2an el2an ~alan
صباح: sob7 subh sobh 9ob7 9ub7 sba7 9ba7 sabah 9aba7 saba7 9b7 sb7
صباحا: saba7an 9aba7an sabahan
مساء: masa masaa masa2 masa2an masaan
عصر: 3asr 3a9r 3aser 3asir 3a9er 3sr 39r
ساعه: sa3a saa3a sa3ah s3a
ساعات: sa3at saa3at
ساعتين: sa3teen sa3tain sa3atain sa3tein sa3ten
نص: nos nus nu9 ni9 nes nis
نصف: ni9f nisf nu9f nesf
ربع: rub3 roba3 rb3 rubu3 rob3
دقائق: da8ayi8 dagayeg d8ayg daqayeq dqayq da8ayeg dgayg d8aye8
دقيقه: da8ee8a dagiga d8ee8a da8i8a dgega
بعد: ba3d ba3ad b3d ba3ed
قبل: gabl 8abl qabl gbl gabel 8bl qabel 8abel
بعدين: ba3dain ba3dein b3dain ba3den
اسبوع: usbu3 esbou3 osboo3 isbu3 esbo3 osbo3
جاي: ~jay jaay jai
جايه: jaya jaaya jayah
قادم: 8adem gadim qadem qadim 8adim gadem
اثنين|الاثنين 2: ithnain ithnayn ithnen ithneen etnen itnen etnein thnain thnen tneen ethnain ithnin
ثلاثه|الثلاثاء 3: thalatha tlata talata thlatha thulatha tholatha thalatha2
اربعه|الاربعاء 4: arba3a arbe3a arb3a arbi3a arba3ah
خميس: khamees 5amees 5mees khamis 5amis khmees 5ames
جمعه: jum3a jim3a jom3a gom3a jum3ah
سبت: sabt sebt sibt
احد: a7ad ahad a7d 7ad
واحد 1: wa7ed wa7id wahed wa7d wahid
واحده 1: wa7da wahda wa7deh
ثنتين 2: thinten thintain thnten thnteen
ثانيه 2: thanya thaanya thanyah
ثلاث 3: thalath thlath tlat talat tlath
ثالثه 3: thaltha thaaltha
اربع 4: arba3 arb3
رابعه 4: rab3a raab3a
خمس 5: khams 5ams
خمسه 5: khamsa 5amsa khamseh 5amseh 5msa
ست 6: ~sit sitt
سته 6: sitta setta sittah
سادسه 6: sadsa saadsa sadisa
سبع 7: sab3 seb3
سبعه 7: sab3a seb3a sab3ah saab3a
ثمان 8: thaman tmn thamn tamn thmn
ثمانيه 8: thamanya tmanya thamaniya tamanya thmanya thamania
ثامنه 8: thamna tamna thaamna thamneh
تسع 9: tis3 tes3
تسعه 9: tis3a tes3a tis3ah tas3a taas3a
عشر 10: 3ashar 3ashr 3shr 3asher 3ashir
عشره 10: 3ashra 3ashara 3ashrah 3ashreh
احدعش|الحاديه عشره 11: 7da3ash 7ida3ash 7d3sh 7da3sh hda3sh 7eda3sh 7idi3sh
اثنعش|الثانيه عشره 12: ithna3ash 6na3sh tna3sh thna3ash etna3sh 6na3ash thna3sh itna3sh ithna3sh
مطعم: mat3am ma63am mat3em mt3m
مطاعم: mata3em mata3im
عشاء: 3asha 3ashaa 3asha2 3sha 3isha 3esha 3ishaa
غداء: ghada gada 8ada ghadaa ghada2 ghda
فطور: ftoor fatoor fotoor ftor fu6oor fa6oor f6oor ftour riyoog reyoog ryoog riyoug rayoog
افطار: iftar eftar iftaar
طاوله: 6awla tawla 6awlah tawlah 6aawla 6owla towla
فندق: fondo8 fondog fundu8 funduq fndq fondoq fundug fndg
غرفه: ghorfa ghurfa 8orfa gurfa ghrfa 8urfa gorfa
جناح: jana7 jena7 jnah janah
شقه: sha88a shagga shaqqa sh8a
ليلتين: laylatain leltain lailtain leltein lailatain
ليالي: layali liyali lyali
تذكره: tathkara tadhkara tazkara tathkarah tthkra tathkra tadkara
تذاكر: tadhaker tathaker tazaker tathakir tadhakir tathakeer
تذكرتين: tathkartain tadhkartain tazkarten tathkarteen
حفله: 7afla 7afleh hafla 7aflah hafleh
حفل: 7afl hafl
مسرح: masra7 masrah mesra7
مباراه: mubara mobara mubarah mobarah
معرض: ma3ra9 ma3rad ma3radh
طبيب: 6abeeb tabib 6beeb tabeeb 6abib
دكتور: doktor daktor dktor dektor
عياده: 3iyada 3eyada 3yada 3yadah 3iyadah
مستشفى: mustashfa mostashfa mstshfa
صيدليه: 9aydaliya saydaliya 9aidalia 9aydaleya 9ydlya saydalia 9aydliya 9edlya
دواء: dawa dawaa dawa2
ادويه: adwiya adweya adwya
مساج: masaj massaj masaaj
تدليك: tadleek tadlik
تسوق: tasawwog tasawo8 tasawuq tsawg tasawog tasawg tasawoq
هديه: hadiya hadiyah hdiya hadeya hadyah hadya
ورد: ~ward wrd
زهور: zhoor zohoor zhour zuhoor
عطر: 3e6r 3i6r 3itr 3etr
عطور: 3utoor 3o6oor 36oor
مرشد: murshid morshed mrshd murshed morshid
جوله: jawla jola jawlah jolah jowla
متحف: mat7af mat7f mathaf mit7af
يخت: yakht ya5t ya5at
رحله: ra7la re7la rihla ri7la re7leh rahla
طياره: 6ayara tayyara 6yara tayara 6ayarah 6iyara tiyara
خاصه: khasa 5a9a 5aasa khaasa 5a9ah khassa 5a9eh
هليكوبتر: hilikobter helikobter
حارس: 7aris 7ares haris 7aaris
حراسه: 7irasa 7erasa 7rasa hirasa
حمايه: 7imaya 7emaya himaya 7maya 7imayah
اشخاص: ashkha9 ashkhas ash5a9 ash5as anfar
شخص: shakh9 sha5s shakhs shakhes sh5s nafar nfar
شخصي: shakh9i sha5si shakhsi sh5si
شخصين: shakh9een shakhsain sha5seen shakhseen sha5sain
ضيوف: dhyoof 9yoof duyoof thyoof 9iyoof dyoof
فجر: fajr fajer fijr fejer
ظهر: dhuhr thuhr duhur zuhr dohr 6'uhr dhuhur thuhur zohr dhohr duhr
مغرب: maghrib maghreb mgrb magrib m8rb ma8rib maghrb
صلاه: 9alat salat 9ala 9alah
شكرا: shukran shokran shukrn shkran chokran choukran shokrn shkrn
مشكور: mashkoor mashkur mshkor mashkour
مشكورين: mashkoreen mashkureen mshkoreen
مشكوره: mashkoora mashkura
تسلم: tislam teslam tslm
تسلمين: tislameen teslameen
يعطيك: ya3tik ya3teek y3tik ya3tek
عافيه: 3afya 3afia 3afiya 3afyah
اي: ee eeh
ايوه: aywa aiwa aywah ewa eiwa
نعم: na3am n3am na3m
لا: ~la laa la2
تمام: tamam tmam tamaam
زين: zain zein zeen zayn ~zen
طيب: 6ayeb tayeb 6yb 6ayb tayyib 6ayib
مرحبا: mar7aba mar7ba marhaba mr7ba marhba
اهلا: ahlan ahln
هلا: ~hala halla
سلام: salam slam salamu
عليكم: 3alaikum 3alykm 3alaykum 3leikum 3lekum 3alekum
مع السلامه: ma3+salama ma3a+salama m3+salama
ان شاء الله: inshallah inshalla insha+allah in+sha+allah inshallh nshallah
والله: wallah walla wallahi
يلا: yalla yallah yla
حبيبي: 7abibi habibi 7abeebi 7bibi
اكيد: akeed akid
حاضر: 7ader 7adir 7aadir
مو: mu ~mo mou
ما: ~ma maa
من: ~min ~men mn
مب: mb mub ~mob
مش: mish ~mesh msh
بدل: badal bdal badaal badl
امس: ams amss
بارحه: bare7 bara7 baar7a bar7a bare7a
انا: ~ana ena
هذا: hatha hadha haza hatha
هذي: hathi hadhi hathy
زوجتي: zawjti zojti zoojti zawjati
زوجي: zawji zoji zooji
احنا: e7na i7na ehna
انت: inta enta enti inti
عندي: 3indi 3ndi 3andi
عندكم: 3indkum 3ndkm 3endkom 3andkum 3indakum
فيه: feeh fih ~fee
في: ~fi fe
وين: wain wein ween wayn
كيف: kaif keef kayf
ليش: lesh laish leish
ايش: esh aish eish
شو: shu shoo
على: 3ala 3la
الى: ila ela
مع: ma3 m3 ma3a
عن: 3an
عشان: 3ashan 3shan 3alashan
حق: 7ag 7a8 7aq
بس: bas bs
كمان: kaman kamaan kman
ايضا: aydan ay9an ai9an ay6'an
بسرعه: bsur3a besor3a bsr3a bisur3a bsor3a
عاجل: 3ajil 3ajel 3aajil
فورا: fawran fawrn foran
ضروري: dharoori 9aroori daroori darury 9arori dharori
قريب: gareeb 8areeb qareeb qarib 8arib
بيت: ~bait ~bet beit
اللي: elli illi alli
لي: ~li ~lee ~ly
يا: ~ya
و: ~w ~wa
كانت: kanat kant kanet
جزاكم الله خير: jazakom+allah+5air jazakum+allah+khair jazakom+allah+khair jzakom+allah+5er jazakallah+5air
جزاك الله خير: jazak+allah+5air jazak+allah+khair jazakallah+khair jazakallahu+khair
ممتاز: mumtaz momtaz mmtaz
ممتازه: mumtaza momtaza mumtaaza
استانسوا: estanasaw istanasaw estansaw
استانسنا: estanasna istanasna estansna
يجي: yiji yji yeji yiiji
يسوي: ysawi yisawi ysawwi
يعرفنا: y3arefna y3rfna yi3arifna
التاريخ: tare5 tarikh tari5 taree5
العيال: 3ayal 3eyal 3yal
وايد: wayed wayid waaid
هل: ~hal
برد: bard
دايما: dayman daiman dayeman
كذا: kitha keda ki6a
"""
